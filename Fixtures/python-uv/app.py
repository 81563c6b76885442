"""A Flask app whose dependencies uv locks."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "<h1>Hello from a uv-locked slug</h1>"
