import os

from openai import OpenAI

DEBUG = False
SECRET_KEY = "⟦dj‖ango-insecure-zNAPJRNz4ndd6KBCbBclz6JrRhLvVe3WdigBw1Al⟧"
DATABASES = {"default": {"ENGINE": "postgresql", "PASSWORD": "⟦Fk‖jKLr5T-dh7uvx⟧", "HOST": "db"}}
GOOGLE_MAPS_KEY = "⟦AI‖zaSyZ4JpJiiiu6z9SkTIvTnJIHI1VQL71hEqD⟧"
client = OpenAI(api_key="⟦sk‖-proj-DhU4XgaOzyx7J3SdoVwgP4FmErxTM1cHho4PAAANFAKEvkYfQv9NomBbjl2y4y5qT3BlbkFJtO2oSoJGr297EYx8ZXnd1mofTEST4efXgMxhV8az36a4sMzM⟧")
DATABASE_URL = "postgres://app:⟦Fk‖hkQa0z-mip63x⟧@db.internal:5432/app"
MONGO_URI = "mongodb+srv://svc:⟦Fk‖EkAKVM-5gs1kx⟧@cluster0.example.mongodb.net/prod"
AUTH_HEADER = {"Authorization": "Bearer ⟦Af‖56xFfj1j1aVltgTx26HsvOob2k6hslHiCNOq73⟧"}
HMAC_SECRET = "⟦dd‖d8b9dffba1e18edf6f835e9b609cbfe01c02bf7be380eea089e05b0d6f7cd5⟧"
SIGNING = {"k": "⟦Kn‖EH7j8pvwTHrW2SmjedMMxdNFvi33rJF4WT6VUf⟧"}
TIMEOUT = int(os.environ.get("TIMEOUT", "30"))
