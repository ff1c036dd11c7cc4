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
//! Every route allows CORS from any origin (`app.api.cors`). The views are `#[route]`
//! functions; the store they share is the app's state (`app.state(..)`, `State<Store>`).

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use chalice::{Chalice, ChaliceError, CorsConfig, Json, Request, Response, State, route};
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

/// The in-memory store the views share, given to the app as its state: each app made by
/// [`app`] has its own, so tests running in parallel never see each other's todos. (A real
/// app would keep a DynamoDB client here; the views would not change shape.)
#[derive(Default)]
pub struct Store {
    inner: Mutex<(u32, BTreeMap<u32, Todo>)>,
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
    app.state(Store::default());
    app.register(list_todos::route());
    app.register(create_todo::route());
    app.register(get_todo::route());
    app.register(replace_todo::route());
    app.register(delete_todo::route());
    app
}

#[route("/todos")]
fn list_todos(store: State<Store>, request: &Request) -> Result<Json<Vec<Todo>>, ChaliceError> {
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

#[route("/todos", methods = ["POST"])]
fn create_todo(store: State<Store>, request: &Request) -> Result<Response, ChaliceError> {
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

// `id: u32`: an id that is not a number is a 400 naming the capture before the view runs.
#[route("/todos/{id}")]
fn get_todo(store: State<Store>, id: u32) -> Result<Json<Todo>, ChaliceError> {
    let todo = store.lock().1.get(&id).cloned();
    todo.map(Json).ok_or_else(|| not_found(id))
}

#[route("/todos/{id}", methods = ["PUT"])]
fn replace_todo(
    store: State<Store>,
    id: u32,
    request: &Request,
) -> Result<Json<Todo>, ChaliceError> {
    let new = parse(request)?;
    let mut guard = store.lock();
    let todo = guard.1.get_mut(&id).ok_or_else(|| not_found(id))?;
    todo.title = new.title;
    todo.done = new.done;
    Ok(Json(todo.clone()))
}

#[route("/todos/{id}", methods = ["DELETE"])]
fn delete_todo(store: State<Store>, id: u32) -> Result<Response, ChaliceError> {
    store.lock().1.remove(&id).ok_or_else(|| not_found(id))?;
    Ok(Response::new("").status_code(204))
}

fn not_found(id: u32) -> ChaliceError {
    ChaliceError::not_found(format!("Todo {id} does not exist"))
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
