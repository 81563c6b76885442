"""A tiny Flask blog: the app slugc's Python buildpack must build and boot."""
from flask import Flask, jsonify

app = Flask(__name__)

POSTS = [{"id": 1, "title": "Hello from a slug"}]


@app.route("/")
def index():
    return "<h1>Flask blog</h1><p>Hello from a slug</p>"


@app.route("/posts")
def posts():
    return jsonify(POSTS)


def hello():
    print("blog says hello")
