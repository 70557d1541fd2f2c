//! How the model becomes line items: the [`Emitter`] of one delivery walks the days of a
//! period and, per slot (an hour, or the day of a daily report), asks each part of the company
//! for its rows, in a fixed order (row ids and random draws follow it).

use std::io;

use super::{Model, Period, discounted, ts};
use crate::demo::rng::{Rng, hash};
use crate::demo::row::Row;

impl Model {
    /// Emits the rows of days `first..end` of a period. `vseed` is the model seed for the current
    /// delivery, another value for a stale one.
    pub fn emit_days(
        &self,
        period: &Period,
        end_day: u32,
        vseed: u64,
        out: &mut dyn FnMut(&Row<'_>) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut e = Emitter {
            m: self,
            vseed,
            seq: 0,
            period_start: ts(period.start),
            period_end: ts(period.end),
            out,
        };
        for day in period.first_day..end_day.min(period.end_day) {
            e.day(period, day)?;
        }
        Ok(())
    }
}

/// Writes rows for one delivery.
pub(super) struct Emitter<'m, 'o> {
    pub(super) m: &'m Model,
    /// The model seed for the current delivery, another value for a stale one.
    pub(super) vseed: u64,
    /// Rows made so far (each row's id hashes it).
    seq: u64,
    period_start: i64,
    pub(super) period_end: i64,
    out: &'o mut dyn FnMut(&Row<'_>) -> io::Result<()>,
}

impl Emitter<'_, '_> {
    /// A new row of the slot `[start, end)` of `day`, with its id and billing period.
    pub(super) fn base<'a>(&mut self, day: u32, start: i64, end: i64, account: &'a str) -> Row<'a> {
        self.seq += 1;
        Row {
            day,
            id: hash(&[self.vseed, u64::from(day), self.seq]),
            start,
            end,
            millis: false,
            period_start: self.period_start,
            period_end: self.period_end,
            account,
            ..Row::default()
        }
    }

    /// `v` less the negotiated discount, when the report has net columns.
    pub(super) fn net(&self, v: i64) -> Option<i64> {
        self.m.with_net.then(|| discounted(v))
    }

    /// Hands a finished row to the writer.
    pub(super) fn emit(&mut self, row: &Row<'_>) -> io::Result<()> {
        (self.out)(row)
    }

    /// The rows of window day `day`: a period's fees on its first day, then per slot the
    /// nodes, Fargate, the fixed costs and the savings plans' fees, and once (mid-day) the daily
    /// rows.
    fn day(&mut self, period: &Period, day: u32) -> io::Result<()> {
        let m = self.m;
        let (present, on) = m.schedule(self.vseed, day);
        let day_start = ts(m.date(day));
        let mut rng = Rng::derive(&[self.vseed, 5, u64::from(day)]);
        let (slots, hours) = if m.hourly { (24, 1) } else { (1, 24) };
        if day == period.first_day {
            self.monthly(period, day_start)?;
        }
        for slot in 0..slots {
            let start = day_start + i64::from(slot) * 3600 * hours;
            let end = start + 3600 * hours;
            let mut sp_used = vec![0_i64; m.sps.len()];
            for n in 0..m.nodes.len() {
                if present[n] {
                    self.node(day, start, end, hours, n, &on[n], &mut sp_used)?;
                }
            }
            self.fargate(day, start, end, hours)?;
            self.fixed(day, start, end, hours, &mut rng)?;
            self.savings_plan_fees(day, start, end, hours, &sp_used)?;
            if slot == slots / 2 {
                self.daily(day, start, end, &present, &on, &mut rng)?;
            }
        }
        Ok(())
    }

    /// Control planes, external resources and shared services: every slot.
    fn fixed(
        &mut self,
        day: u32,
        start: i64,
        end: i64,
        hours: i64,
        rng: &mut Rng,
    ) -> io::Result<()> {
        self.control_planes(day, start, end, hours)?;
        self.externals(day, start, end, hours, rng)?;
        self.shared_usage(day, start, end, hours, rng)
    }

    /// Once a day: node data transfer, EBS volumes, Route 53, dropped split rows.
    fn daily(
        &mut self,
        day: u32,
        start: i64,
        end: i64,
        present: &[bool],
        on: &[Vec<usize>],
        rng: &mut Rng,
    ) -> io::Result<()> {
        self.node_transfer(day, start, end, present, rng)?;
        self.volumes(day, start, end)?;
        self.hosted_zones(day, start, end)?;
        self.dropped_splits(day, start, end, on)
    }

    /// Rows of the first day of a period in the window: RI fees, RI purchases, tax, credit.
    fn monthly(&mut self, period: &Period, day_start: i64) -> io::Result<()> {
        let day = period.first_day;
        let (start, end) = (day_start, self.period_end);
        self.ri_fees(period, start, end)?;
        self.tax_and_credit(day, start, end)
    }
}
