//! The integration tests, as one binary: the real server on port 0, a fresh database per test.

mod denylist;
mod helpers;
mod perimeter;
mod process;
mod rate_limit;
mod story;
