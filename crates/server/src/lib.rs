//! The vanthu application: use cases, the JSON API, the web pages, imports and exports, and the demo.

pub mod app;
pub mod blobs;
pub mod error;
pub mod exchange;
pub mod io;

pub use app::{App, AuthSettings};
pub use error::{AppError, AppResult};
pub mod api;
pub mod demo;
pub mod demo_docs;
pub mod server;
pub mod web;
