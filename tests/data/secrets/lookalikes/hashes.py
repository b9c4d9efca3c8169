import hashlib

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
EXPECTED_DIGEST = "6ed0869c9b012b6091036bf80f6edd5bd98a77c04d9f8f4c9b7ef8992004b152"
COMMIT = "4c28d423b5420013c590157e2bf28c8eb8e77c6d"
REVISION = "03e404fd168941cfed98f46654680130dd85968b"
checksums = {"reviewbot-0.1.tar.gz": "855128536865a449c5887b10cdfd7aa4"}
x = "11f6ad8ec52a2984abaafd7c3b516503785c2072"
etag = '"1872ade88f3013edeb33decd74a4f947"'
image = "python@sha256:6105d6cc76af400325e94d588ce511be5bfdbb73b437dc51eca43917d7a43e3d"
assert hashlib.sha1(b"reviewbot").hexdigest() == "4c28d423b5420013c590157e2bf28c8eb8e77c6d"
