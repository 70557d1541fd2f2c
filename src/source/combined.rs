//! A combined profile (`source = "combined"`, `sources = ["aws-cur", "azure-focus"]`): each
//! named profile read as it would be alone (its own source, mapping and currency), their facts
//! summed into one table ([`crate::facts::combine`]). Amounts in different currencies are
//! never added: each row keeps its currency ([`Dim::Currency`]; a CUR's counts as USD), and
//! the views group a bill in several by currency as they do one FOCUS export in several.

use super::cached::CacheNote;
use super::discover::Delivery;
use super::error::SourceError;
use super::{Loaded, ReadRequest, focus, load as load_profile};
use crate::config::Profile;
use crate::cur::metrics::Metric;
use crate::facts::{CurrencyTotal, Dim, NONE, combine};
use crate::window::Window;

/// Reads every profile of `parts` for `req`'s window and sums their facts.
pub fn load(parts: &[Profile], req: &ReadRequest<'_>) -> Result<Loaded, SourceError> {
    let mut loaded = Vec::with_capacity(parts.len());
    for p in parts {
        loaded.push(load_profile(&ReadRequest { profile: p, ..*req })?);
    }
    let origin = format!(
        "combined: {}",
        loaded
            .iter()
            .map(|l| l.origin.as_str())
            .collect::<Vec<_>>()
            .join(" + ")
    );
    let window = loaded
        .iter()
        .map(|l| l.window)
        .reduce(|a, b| Window {
            start: a.start.min(b.start),
            end: a.end.max(b.end),
        })
        .ok_or_else(|| SourceError::NothingInWindow {
            path: origin.clone(),
            window: req.window.to_string(),
            available: "no sources".into(),
        })?;
    let mut delivery: Option<Delivery> = None;
    let mut cache: Option<CacheNote> = None;
    let mut facts = Vec::with_capacity(loaded.len());
    for mut l in loaded {
        if let Some(note) = l.cache.take() {
            cache = Some(match cache {
                None => note,
                Some(all) => all.and(note),
            });
        }
        let q = &mut l.facts.quality;
        if q.currencies.is_empty() && !focus::is_focus(&l.facts.columns) {
            // A CUR's amounts are in its payer's currency: USD for all but a few accounts
            // (curtop does not read lineItem/CurrencyCode), so a CUR counts as USD here.
            let billed = l.facts.bill.values().map(|c| c[Metric::Unblended]).sum();
            q.currencies.insert(
                "USD".into(),
                CurrencyTotal {
                    rows: q.rows_read,
                    billed,
                },
            );
            let usd = l.facts.strings.intern("USD");
            for r in &mut l.facts.rows {
                if r.dims[Dim::Currency as usize] == NONE {
                    r.dims[Dim::Currency as usize] = usd;
                }
            }
        }
        match &mut delivery {
            None => delivery = Some(l.delivery),
            Some(d) => {
                d.report = format!("{} + {}", d.report, l.delivery.report);
                d.periods.extend(l.delivery.periods);
            }
        }
        facts.push(l.facts);
    }
    let facts = combine(facts);
    // Each bill fits on its own; together they may not.
    super::check_readable(&facts, &origin)?;
    Ok(Loaded {
        facts,
        delivery: delivery.unwrap_or_else(|| Delivery {
            report: String::new(),
            layout: super::discover::Layout::Legacy,
            periods: Vec::new(),
        }),
        window,
        origin,
        athena: None,
        cache,
        shared: None,
    })
}
