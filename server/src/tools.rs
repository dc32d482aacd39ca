//! The tools around the product, not the product: the demo data a newcomer's instance is filled
//! with, the simulator that plays partner systems against a running instance, and the benchmarks (the
//! soak among them).
//! The hosting code elsewhere in this crate never depends on them, except to seed the demo when
//! asked to at start-up.

pub mod bench;
pub mod demo;
pub mod fuzz;
pub mod scale;
pub mod simulator;
pub mod soak;
