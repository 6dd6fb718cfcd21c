//! Sign-in and sessions hardened: where `next` may lead, the headers every
//! page and every secret carries, `Retry-After` on every 429, sign-in posts
//! from other sites, names that hide characters, and the request id an
//! internal error's log line shares with its answer.

mod csp;
mod headers;
mod names;
mod sign_in;
