//! A todo API on chalice: the app `main` runs and the tests call.
//!
//! | route | does |
//! |---|---|
//! | `GET /todos?done=true` | lists todos, optionally only done or open ones |
//! | `POST /todos` | adds one from `{"title": "...", "done": false}`: 201 with `Location` |
//! | `GET /todos/{id}` | one todo, or 404 |
//! | `PUT /todos/{id}` | replaces one |
//! | `DELETE /todos/{id}` | removes one: 204 |
//!
//! Every route allows CORS from any origin (`app.api.cors`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use chalice::{Chalice, ChaliceError, CorsConfig, Json, Request, Response, Route};
use serde::{Deserialize, Serialize};

/// A todo as stored and sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Todo {
    /// Its id, given by the store.
    pub id: u32,
    /// What to do.
    pub title: String,
    /// Whether it is done.
    pub done: bool,
}

/// What a client sends to create or replace a todo.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewTodo {
    title: String,
    #[serde(default)]
    done: bool,
}

/// The in-memory store the views share. (A real app would use DynamoDB; the views would not
/// change shape.)
#[derive(Clone, Default)]
struct Store {
    inner: Arc<Mutex<(u32, BTreeMap<u32, Todo>)>>,
}

impl Store {
    fn lock(&self) -> MutexGuard<'_, (u32, BTreeMap<u32, Todo>)> {
        // A view that panicked while holding the lock cannot leave a todo half-written
        // (every change is one map operation), so the data is still good.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The app, with a fresh, empty store.
pub fn app() -> Chalice {
    let mut app = Chalice::new("todo");
    app.api.cors = Some(CorsConfig::new());
    let store = Store::default();

    let s = store.clone();
    app.register(
        Route::new("/todos", move |request: &Request| list(&s, request)).name("list_todos"),
    );
    let s = store.clone();
    app.register(
        Route::new("/todos", move |request: &Request| create(&s, request))
            .methods(["POST"])
            .name("create_todo"),
    );
    let s = store.clone();
    app.register(
        Route::new("/todos/{id}", move |request: &Request| one(&s, request))
            .methods(["GET", "PUT", "DELETE"])
            .name("todo"),
    );
    app
}

fn list(store: &Store, request: &Request) -> Result<Json<Vec<Todo>>, ChaliceError> {
    let done = match request.query_param("done") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Err(ChaliceError::bad_request(format!(
                "done must be true or false, not {other:?}"
            )));
        }
    };
    let todos = store
        .lock()
        .1
        .values()
        .filter(|t| done.is_none_or(|d| t.done == d))
        .cloned()
        .collect();
    Ok(Json(todos))
}

fn create(store: &Store, request: &Request) -> Result<Response, ChaliceError> {
    let new = parse(request)?;
    let mut guard = store.lock();
    let (next_id, todos) = &mut *guard;
    *next_id += 1;
    let todo = Todo {
        id: *next_id,
        title: new.title,
        done: new.done,
    };
    todos.insert(todo.id, todo.clone());
    Ok(Response::json(&todo)
        .status_code(201)
        .header("Location", format!("/todos/{}", todo.id)))
}

fn one(store: &Store, request: &Request) -> Result<Response, ChaliceError> {
    let id = request.uri_param("id").unwrap_or_default();
    let id: u32 = id
        .parse()
        .map_err(|_| ChaliceError::bad_request(format!("Todo ids are numbers, not {id:?}")))?;
    let not_found = || ChaliceError::not_found(format!("Todo {id} does not exist"));
    let method = request.method().as_str();
    match method {
        "GET" => Ok(Response::json(
            store.lock().1.get(&id).ok_or_else(not_found)?,
        )),
        "PUT" => {
            let new = parse(request)?;
            let mut guard = store.lock();
            let todo = guard.1.get_mut(&id).ok_or_else(not_found)?;
            todo.title = new.title;
            todo.done = new.done;
            Ok(Response::json(todo))
        }
        _ => {
            store.lock().1.remove(&id).ok_or_else(not_found)?;
            Ok(Response::new("").status_code(204))
        }
    }
}

/// The body as a todo: Chalice's 400 for JSON that does not parse, a 400 naming the problem
/// for JSON of the wrong shape, a 422 for an empty title.
fn parse(request: &Request) -> Result<NewTodo, ChaliceError> {
    let new: NewTodo = request.json()?;
    if new.title.trim().is_empty() {
        return Err(ChaliceError::unprocessable_entity("A todo needs a title"));
    }
    Ok(new)
}
