//! The billing knowledge, with no I/O: column names, money, dates, cost metrics and
//! Kubernetes attribution of one line item.

pub mod attribution;
pub mod columns;
pub mod line_item;
pub mod metrics;
pub mod money;
pub mod time;
