"""bench/peer/app.py -- the benchmark's peer: an application equivalent to
the boilerplate flask-encrypted-db, built only from Debian 12's packages
(python3-flask, python3-flask-sqlalchemy, python3-sqlalchemy-utils,
python3-psycopg2, python3-flask-cors) and served by Debian's gunicorn.

It keeps the boilerplate's choices, since they are what its users run:
a Flask-SQLAlchemy model whose email column is
EncryptedType(Unicode, POSTGRES_SECRET_KEY, AesEngine, 'pkcs5'), passwords
hashed with PBKDF2-HMAC-SHA512 (100000 iterations, one global salt: the
SECRET_KEY, hex output), CORS open to every origin, the ORM object returned
as JSON (password hash included, as the boilerplate does), a fresh session
per request. The boilerplate has only GET /user/<username>; the routes the
benchmark also needs are written the way it would write them:

    GET  /user/<username>   200 {"payload": user} | 404
    GET  /users?limit=N     200 {"payload": [user...]} (by username, N<=100)
    POST /users             JSON {username, password, email[, user_type]}
                            -> 201 {"payload": user} | 400 | 409
    POST /login             JSON {username, password} -> 200 | 401

Settings (environment): PEER_DATABASE_URI (SQLAlchemy URI),
POSTGRES_SECRET_KEY (default the boilerplate's changeme2), SECRET_KEY
(default changeme1), PEER_POOL_SIZE (connections per worker, default 2).
Run `python3 app.py initdb` once to create the table as the boilerplate's
create_all does. This is benchmark code, not a product.
"""

import binascii
import hashlib
import hmac
import os
import sys
import uuid
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm.decl_api
from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask_cors import CORS
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.declarative import declared_attr
from sqlalchemy_utils import EncryptedType
from sqlalchemy_utils.types.encrypted.encrypted_type import AesEngine

POSTGRES_SECRET_KEY = os.environ.get("POSTGRES_SECRET_KEY", "changeme2")
SECRET_KEY = os.environ.get("SECRET_KEY", "changeme1").encode()
PBKDF2_ITERATIONS = 100000

db = SQLAlchemy()


class TimestampMixin(object):
    @declared_attr
    def created_at(cls):
        return db.Column(db.DateTime(timezone=True), nullable=False,
                         default=datetime.utcnow)

    @declared_attr
    def updated_at(cls):
        return db.Column(db.DateTime(timezone=True), onupdate=datetime.utcnow)


class Users(db.Model, TimestampMixin):
    __tablename__ = "users"
    id = db.Column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4,
                   unique=True, nullable=False)
    username = db.Column(db.String, nullable=False)
    password = db.Column(db.String, nullable=False)
    user_type = db.Column(db.String, nullable=False)
    email = db.Column(EncryptedType(sa.Unicode, POSTGRES_SECRET_KEY,
                                    AesEngine, "pkcs5"), nullable=False)


def hash_pwd(pwd):
    """The boilerplate's password hash: PBKDF2-HMAC-SHA512, global salt."""
    return binascii.hexlify(hashlib.pbkdf2_hmac(
        "sha512", pwd.encode("utf-8"), SECRET_KEY,
        PBKDF2_ITERATIONS)).decode("ascii")


class PeerJSONProvider(DefaultJSONProvider):
    """The boilerplate's CustomJsonEncoder, as a Flask 2.2 JSON provider."""

    @staticmethod
    def default(x):
        if isinstance(x, datetime):
            return x.astimezone().isoformat()
        if isinstance(x, uuid.UUID):
            return str(x)
        if isinstance(type(x), sqlalchemy.orm.decl_api.DeclarativeMeta):
            return {k: getattr(x, k) for k in x.__dict__.keys()
                    if k != "_sa_instance_state"}
        return DefaultJSONProvider.default(x)


def _json_body():
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def create_app():
    app = Flask(__name__)
    app.json = PeerJSONProvider(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["PEER_DATABASE_URI"]
    app.config["SQLALCHEMY_TRACK_MODIFICATIONS"] = False
    app.config["MAX_CONTENT_LENGTH"] = 26214400
    pool = int(os.environ.get("PEER_POOL_SIZE", "2"))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_pre_ping": True,
        "pool_recycle": 300,
        "max_overflow": 0,
        "pool_size": pool,
    }
    db.init_app(app)
    CORS(app, methods=["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH",
                       "DELETE"])

    @app.errorhandler(404)
    def endpoint_not_found(e):
        return {"error": "This endpoint does not exist"}, 404

    @app.errorhandler(405)
    def forbidden_method(e):
        return {"error": "You're not authorized to access this method"}, 405

    @app.route("/user/<username>", methods=["GET"])
    def get_user(username):
        user = Users.query.filter_by(username=username).first()
        if user:
            return {"payload": user}, 200
        return {"error": "User not found"}, 404

    @app.route("/users", methods=["GET"])
    def list_users():
        try:
            limit = int(request.args.get("limit", "50"))
        except ValueError:
            return {"error": "limit must be a number"}, 400
        if limit < 1 or limit > 100:
            return {"error": "limit must be in 1..100"}, 400
        users = Users.query.order_by(Users.username).limit(limit).all()
        return {"payload": users}, 200

    @app.route("/users", methods=["POST"])
    def create_user():
        body = _json_body()
        if body is None:
            return {"error": "JSON object expected"}, 400
        fields = {}
        for k in ("username", "password", "email"):
            v = body.get(k)
            if not isinstance(v, str) or not v:
                fields[k] = "required"
        if fields:
            return {"error": "Invalid input", "fields": fields}, 400
        if Users.query.filter_by(username=body["username"]).first():
            return {"error": "Username taken"}, 409
        user = Users(username=body["username"],
                     user_type=body.get("user_type", "user"),
                     email=body["email"],
                     password=hash_pwd(body["password"]))
        db.session.add(user)
        db.session.commit()
        return {"payload": user}, 201

    @app.route("/login", methods=["POST"])
    def login():
        body = _json_body()
        if body is None or not isinstance(body.get("username"), str) \
                or not isinstance(body.get("password"), str):
            return {"error": "JSON object expected"}, 400
        user = Users.query.filter_by(username=body["username"]).first()
        candidate = hash_pwd(body["password"])
        if user is None or not hmac.compare_digest(candidate, user.password):
            return {"error": "Wrong username or password"}, 401
        return {"payload": user}, 200

    @app.teardown_appcontext
    def shutdown_session(exception=None):
        db.session.remove()

    return app


app = create_app() if "PEER_DATABASE_URI" in os.environ else None

if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "initdb":
        with app.app_context():
            db.drop_all()
            db.create_all()
            db.session.execute(sa.text(
                "CREATE UNIQUE INDEX IF NOT EXISTS users_username_idx "
                "ON users (username)"))
            db.session.commit()
        sys.exit(0)
    print("usage: PEER_DATABASE_URI=... python3 app.py initdb",
          file=sys.stderr)
    sys.exit(2)
