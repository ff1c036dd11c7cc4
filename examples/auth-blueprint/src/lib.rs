//! A notes API with the pieces real Chalice apps are built from:
//!
//! - a built-in authorizer (`token_auth`) mapping bearer-ish tokens to users, allowing each
//!   user the notes routes and admins everything;
//! - a blueprint (`notes`) mounted at `/notes` carrying the notes routes, with its own
//!   middleware that stamps responses;
//! - app-wide middleware that times every request;
//! - an error handler turning the store's `NoteError` into a 404 or 409;
//! - a route behind an API key (`/stats`) and one behind a Cognito user pool (`/profile`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use chalice::{
    AuthRequest, AuthResponse, AuthRoute, Blueprint, BlueprintOptions, Chalice, ChaliceError,
    CognitoUserPoolAuthorizer, EventType, Json, Next, Request, Response, Route,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// Tokens and who they belong to. A real app would verify a signed token here.
const USERS: [(&str, &str, bool); 2] = [
    ("alice-token", "alice", false),
    ("root-token", "root", true),
];

fn token_auth(request: &AuthRequest) -> Result<AuthResponse, ChaliceError> {
    let token = request
        .token
        .strip_prefix("Bearer ")
        .unwrap_or(&request.token);
    let Some((_, user, admin)) = USERS.iter().find(|(t, _, _)| *t == token) else {
        return Err(ChaliceError::unauthorized("unknown token"));
    };
    let response = AuthResponse::new(*user).context("admin", *admin);
    Ok(if *admin {
        response.routes(["*"])
    } else {
        response
            .routes(["/notes", "/notes/{id}"])
            .route(AuthRoute::new("/whoami", ["GET"]))
    })
}

/// A store failure, mapped to a response by the app's error handler.
#[derive(Debug)]
pub enum NoteError {
    /// No note with this id for this user.
    Missing(u64),
    /// The text is already a note of this user.
    Duplicate(String),
}

impl fmt::Display for NoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoteError::Missing(id) => write!(f, "no note {id}"),
            NoteError::Duplicate(text) => write!(f, "already noted: {text}"),
        }
    }
}

impl std::error::Error for NoteError {}

#[derive(Default)]
struct Store {
    next_id: u64,
    /// (user, id) → text
    notes: BTreeMap<(String, u64), String>,
}

type Shared = Arc<Mutex<Store>>;

/// The caller's user name, as the authorizer said.
fn user(request: &Request) -> String {
    request.context()["authorizer"]["principalId"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[derive(Deserialize)]
struct NewNote {
    text: String,
}

fn notes_blueprint(store: &Shared, auth: &chalice::ChaliceAuthorizer) -> Blueprint {
    let mut bp = Blueprint::new("notes");
    let s = Arc::clone(store);
    bp.register(
        Route::new(
            "/",
            move |request: &Request| -> Result<Response, ChaliceError> {
                let user = user(request);
                let mut store = s.lock().unwrap_or_else(PoisonError::into_inner);
                if request.method() == "POST" {
                    let NewNote { text } = request.json()?;
                    if store
                        .notes
                        .iter()
                        .any(|((u, _), t)| *u == user && *t == text)
                    {
                        return Err(NoteError::Duplicate(text).into());
                    }
                    store.next_id += 1;
                    let id = store.next_id;
                    store.notes.insert((user, id), text.clone());
                    return Ok(Response::new(json!({"id": id, "text": text}).to_string())
                        .status_code(201)
                        .header("content-type", "application/json"));
                }
                let mine: Vec<Value> = store
                    .notes
                    .iter()
                    .filter(|((u, _), _)| *u == user)
                    .map(|((_, id), text)| json!({"id": id, "text": text}))
                    .collect();
                Ok(Response::new(Value::Array(mine).to_string())
                    .header("content-type", "application/json"))
            },
        )
        .name("notes")
        .methods(["GET", "POST"])
        .authorizer(auth),
    );
    let s = Arc::clone(store);
    bp.register(
        Route::new(
            "/{id}",
            move |request: &Request| -> Result<Json<Value>, ChaliceError> {
                let id: u64 = request
                    .uri_param("id")
                    .unwrap_or_default()
                    .parse()
                    .map_err(|_| ChaliceError::bad_request("a note id is a number"))?;
                let key = (user(request), id);
                let mut store = s.lock().unwrap_or_else(PoisonError::into_inner);
                let text = if request.method() == "DELETE" {
                    store.notes.remove(&key)
                } else {
                    store.notes.get(&key).cloned()
                };
                let text = text.ok_or(NoteError::Missing(id))?;
                Ok(Json(json!({"id": id, "text": text})))
            },
        )
        .name("note")
        .methods(["GET", "DELETE"])
        .authorizer(auth),
    );
    bp.middleware(EventType::Http, |request: Request, next: Next| async move {
        // The answer the client gets, a view's error (its 404, say) included.
        let mut response = next.run(request).await;
        response.headers.insert("x-notes-api", "1");
        response
    });
    bp
}

/// The app; `main` runs it, the tests call it.
pub fn app() -> Chalice {
    let mut app = Chalice::new("auth-blueprint");
    let store = Shared::default();
    let auth = app.authorizer("token_auth", token_auth);

    app.middleware(EventType::All, |request: Request, next: Next| async move {
        let started = Instant::now();
        let mut response = next.run(request).await;
        let micros = started.elapsed().as_micros().to_string();
        response.headers.insert("x-elapsed-us", micros);
        response
    });
    app.error_handler(|error: &NoteError| {
        let status = match error {
            NoteError::Missing(_) => 404,
            NoteError::Duplicate(_) => 409,
        };
        Response::new(json!({"error": error.to_string()}).to_string())
            .status_code(status)
            .header("content-type", "application/json")
    });

    app.register(
        Route::new("/whoami", |request: &Request| {
            Json(request.context()["authorizer"].clone())
        })
        .authorizer(&auth),
    );
    app.register(Route::new("/admin", || Json(json!({"admin": true}))).authorizer(&auth));
    app.register(Route::new("/stats", || Json(json!({"notes_api": "ok"}))).api_key_required(true));
    let pool = CognitoUserPoolAuthorizer::new(
        "users_pool",
        ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_example"],
    );
    app.register(
        Route::new("/profile", |request: &Request| {
            Json(request.context()["authorizer"]["claims"].clone())
        })
        .authorizer(&pool),
    );
    app.register_blueprint(
        &notes_blueprint(&store, &auth),
        BlueprintOptions::new()
            .url_prefix("/notes")
            .name_prefix("notes_"),
    );
    app
}
