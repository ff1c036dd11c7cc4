//! For adapters: what a front door (the local server, the Lambda runtime, the test client)
//! needs to hand requests to an app. Apps and their tests never name anything here; they
//! use [`Chalice`](crate::Chalice) and the `chalice` crate's test client.
//!
//! An adapter routes each request once, with [`RouteMatch::by_template`] (Lambda: API
//! Gateway names the route) or [`RouteMatch::by_path`] (a concrete path), builds a
//! [`Request`](crate::Request) for the route it found, and answers it with
//! [`RouteMatch::handle`].

pub use crate::routing::RouteMatch;
