import netrc
import os


def credentials(host: str) -> tuple[str, str]:
    auth = netrc.netrc().authenticators(host)
    login, _, password = auth
    return login, password


NETRC_LINE = "machine {host} login {login} password {password}\n"
MYSQL_CMD = ["mysql", "-u", user, f"-p{password}", db]
cmd = f"mysqldump --password={password} {db}"
cmd2 = "sshpass -p %s ssh %s" % (password, host)
args = ["docker", "login", "--password-stdin", registry]
parser.add_argument("-p", "--password", help="the password (prompted when absent)")
parser.add_argument("--passphrase", metavar="TEXT")
xml = f"<password>{password}</password>"
XML_TEMPLATE = '<add key="Password" value="%s"/>'
store_password = keystore.password
passphrase = os.environ["GPG_PASSPHRASE"]
key_passphrase_env = "GPG_PASSPHRASE"
DUMP = "mysqldump --password=" + password + " app"
LOGIN = "mysql -u root -p" + password + " app"
SHELL = "mysql -u root -p' + password + ' app"
HELP = "-p, --password TEXT  the password; --password string; -password value"
