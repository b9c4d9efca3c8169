# RFC 4231 test case 1 and the SHA-1 of "abc" (FIPS 180-2): public test vectors
key = b"\x0b" * 20
assert hmac_sha256(key, b"Hi There") == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
assert sha1(b"abc") == "a9993e364706816aba3e25717850c26c9cd0d89d"
secret_sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
