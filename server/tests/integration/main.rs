//! The integration tests, as one binary: the real server on port 0, a fresh database per test.

mod accounts;
mod agent_invitations;
mod appointment_actions;
mod appointments;
mod audit_trail;
mod consultations;
mod date_bounds;
mod denylist;
mod gate_checkin;
mod helpers;
mod invitations;
mod live;
mod lockout;
mod mail;
mod oidc;
mod partner;
mod partner_scope;
mod password_change;
mod perimeter;
mod probing;
mod process;
mod rate_limit;
mod role_pages;
mod smtp_sink;
mod story;
mod tls;
