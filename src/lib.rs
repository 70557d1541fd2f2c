//! curtop: where the AWS bill goes inside Kubernetes clusters.
//!
//! The path of a dollar (see `DESIGN.md`): a [`config::Profile`] names a CUR delivery; a
//! [`source`] reads it; [`cur`] turns each line item into costs and an attribution; [`facts`]
//! holds the aggregated table everything downstream reads; [`report`] prints it; [`alloc`] turns it into the cost tree the dashboard ([`app`],
//! [`ui`], [`runtime`]) drills through.

pub mod alloc;
pub mod app;
pub mod cache;
pub mod cli;
pub mod clock;
pub mod config;
pub mod cur;
pub mod demo;
pub mod diag;
pub mod facts;
pub mod panics;
pub mod report;
pub mod runtime;
pub mod source;
pub mod ui;
pub mod untrusted;
pub mod window;
