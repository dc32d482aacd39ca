//! The integration tests, as one binary: the real server on port 0, a fresh database per test.

mod accounts;
mod appointments;
mod audit_trail;
mod consultations;
mod date_bounds;
mod denylist;
mod helpers;
mod invitations;
mod live;
mod lockout;
mod mail;
mod oidc;
mod partner;
mod partner_scope;
mod perimeter;
mod probing;
mod process;
mod rate_limit;
mod smtp_sink;
mod story;
mod tls;
