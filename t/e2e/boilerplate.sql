-- t/e2e/boilerplate.sql -- a flask-encrypted-db database exactly as the
-- boilerplate leaves it: its SQLAlchemy model's table (no migrations of ours
-- yet) and rows as it writes them: email = SQLAlchemy-Utils AesEngine,
-- pkcs5 padding, key "changeme2" (POSTGRES_SECRET_KEY), stored as the
-- base64 text's bytes; password = PBKDF2-HMAC-SHA512, 100000 iterations,
-- salt "changeme1" (SECRET_KEY), 128 hex characters. The admin row is the
-- one of the boilerplate's README; the others use values
-- from /work/shared/vectors/sqlalchemy-utils.json (also t/vectors/), made
-- by the real SQLAlchemy-Utils. Plain passwords, for the test only:
--   admin "password", jose "correct horse battery staple",
--   yuki "pässwörd" (UTF-8), tagged "" (empty: never accepted by us),
--   Jose as jose (the boilerplate let "Jose" and "jose" both exist).
CREATE TABLE users (
	id UUID NOT NULL,
	username VARCHAR NOT NULL,
	password VARCHAR NOT NULL,
	user_type VARCHAR NOT NULL,
	email BYTEA NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	updated_at TIMESTAMP WITH TIME ZONE,
	PRIMARY KEY (id)
);

-- admin: email admin@example.com
INSERT INTO users (id, username, password, user_type, email, created_at, updated_at) VALUES
	('c4cc1314-26ee-4fed-803c-ef47d415c758', 'admin',
	 '60374fa84f18f9bc851ef6929bf090088644eab3a0003181e9cc05b2946da74412e135b2c04d06a02bc7fc89a3aa834b2f984c117fa29ee47ab7b2b7e7372449',
	 'admin', '\x6a7339557661434f354b4861366e3857526a35783066724765464e2b6e694764635762544e52445646446b3d', '2023-01-20 19:31:56.46987+00', NULL);

-- jose: email jos\xe9@example.es
INSERT INTO users (id, username, password, user_type, email, created_at, updated_at) VALUES
	('5b0e8e52-3c1d-4c7e-9a0b-6a1f6f1d2e01', 'jose',
	 'd987fd0737306deaaef2c9a805a3e3529b8117f19cb7a0f60ddcb62181b53ab631ed841c67ae521be25d43f71e5b522ae4c22116ddff2af35283c1e780d4a86b',
	 'user', '\x4359445a4959466a4f6d51304c766d786e385737437066457a6e51686d4d477630514a68366a6b736e586f3d', '2023-02-01 08:00:00.123456+00', NULL);

-- yuki: email \u30e6\u30fc\u30b6\u30fc@\u4f8b\u3048.jp
INSERT INTO users (id, username, password, user_type, email, created_at, updated_at) VALUES
	('0f6c1a3e-8d7b-4f0e-b2a9-3c4d5e6f7a02', 'yuki',
	 '9b9662c59f059239b7505325c2ca969c0afb28c5b876267d88f01ee3ae267471af1921d5d37e8625f7436c8e487cf3c219c3e0fce15aaca43e841b5783e86225',
	 'user', '\x2f39766943637479634647625538472b4832665a5076444b574a5661717456595a64307276514b3854444d3d', '2023-03-15 12:30:00+00', NULL);

-- tagged: email user.name+tag@sub.example.com
INSERT INTO users (id, username, password, user_type, email, created_at, updated_at) VALUES
	('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c03', 'tagged',
	 'de73f7e1cfb264373d465f0c7018130247fc45290617ad902a11e28c644eb084f187c4d506b7ee22d18a8b60e2c676d083b640b9241b9121e706ed905246fec8',
	 'user', '\x6c4e42346f6a39424d3177624f644978376f5170474d793835674a766d472f6677516f51677434764754733d', '2023-04-01 00:00:01+00', NULL);

-- Jose, a second "jose" in another case, written later: email a@b.co
INSERT INTO users (id, username, password, user_type, email, created_at, updated_at) VALUES
	('3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b04', 'Jose',
	 'd987fd0737306deaaef2c9a805a3e3529b8117f19cb7a0f60ddcb62181b53ab631ed841c67ae521be25d43f71e5b522ae4c22116ddff2af35283c1e780d4a86b',
	 'user', '\x5638674e7176362f4336324f5866494f6e78494247673d3d', '2023-05-01 09:00:00+00', NULL);
