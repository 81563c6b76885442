"""A Flask app whose dependencies pipenv locks."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "<h1>Hello from a pipenv-locked slug</h1>"
