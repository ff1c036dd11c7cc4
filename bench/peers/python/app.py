"""The benchmark app written with AWS Chalice (Python): the same routes and answers as
`bench/ours` and `bench/peers/axum`.

- GET /              -> {"hello": "world"}
- GET /users/{name}  -> {"name": name}
- POST /echo         -> the JSON body, parsed and written back
- GET /r{i}/{id}     -> {"route": i, "id": id} for i in 0..100 (filler, so that routing
                        works on a table of realistic size)

Served by `chalice local` for the local-server runs, called in-process as
`app(event, context)` for the dispatch runs, and by `bootstrap.py` for the cold starts.
"""

from chalice import Chalice

FILLER_ROUTES = 100

app = Chalice(app_name="bench")


@app.route("/")
def index():
    return {"hello": "world"}


@app.route("/users/{name}")
def user(name):
    return {"name": name}


@app.route("/echo", methods=["POST"])
def echo():
    return app.current_request.json_body


def _filler(i):
    def filler(id):
        return {"route": i, "id": id}

    return filler


for _i in range(FILLER_ROUTES):
    app.route(f"/r{_i}/{{id}}", name=f"filler{_i}")(_filler(_i))
