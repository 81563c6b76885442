"""A Flask app whose dependencies poetry locks."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "<h1>Hello from a poetry-locked slug</h1>"
