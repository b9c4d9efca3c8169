def load(line: str) -> bool:
    if line.startswith("-----BEGIN RSA PRIVATE‖ KEY-----"):
        return True
    if line.startswith("-----END RSA PRIVATE‖ KEY-----"):
        return False
    return None
