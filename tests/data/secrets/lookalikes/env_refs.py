import os

password = os.environ["PW"]
api_key = os.getenv("OPENAI_API_KEY")
secret = get_secret("db")
token = settings.TOKEN
db_password: str = ""


def login(username: str, password: str) -> bool:
    if password == confirm_password:
        return check(username, password=password)
    return False


url = f"postgres://{user}:{password}@{host}/app"
dsn = "redis://:%s@%s:6379" % (pw, host)
test_url = "postgres://user:password@localhost/test"
local = "mongodb://localhost:27017"
password_help = "Use at least twelve characters and one digit"
PASSWORD_MIN_LENGTH = 12
secret_type = "Private Key"
private_key_path = "/etc/ssl/private/server.key"
