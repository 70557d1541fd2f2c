//! Commitments: reserved instances bought for some node types and the compute savings plan
//! that covers others; how a node is paid ([`Purchase`]), and the commitments' own rows (the
//! plan's recurring fee every slot, RI fees and purchases on a period's first day).

use std::io;

use super::catalog::{INSTANCE_TYPES, InstanceType};
use super::emit::Emitter;
use super::{Draft, Period, discounted};
use crate::demo::row::{NANO, Reservation, SavingsPlan};

/// How a node's hours are paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purchase {
    OnDemand,
    Reserved(usize),
    SavingsPlan(usize),
    /// 60% of its hours covered by the savings plan, the rest on demand.
    Mixed(usize),
}

/// A reserved instance (partial upfront, one year) for `count` nodes of one type.
#[derive(Debug)]
pub struct Ri {
    pub arn: String,
    /// `HeavyUsage:<instance type>`.
    pub usage_type: String,
    pub account: usize,
    pub count: i64,
    pub upfront_hour: i64,
    pub recurring_hour: i64,
    pub upfront_total: i64,
}

/// A compute savings plan (one year, no upfront) and its hourly commitment.
#[derive(Debug)]
pub struct Sp {
    pub arn: String,
    pub account: usize,
    pub commit_hour: i64,
}

impl Draft<'_> {
    /// How node `j` of cluster `ci` is paid. The first node of a type that is to be reserved buys
    /// its reserved instance (`ri_of_type`: instance type → RI, per cluster); nodes under the
    /// savings plan add their hours to its commitment.
    pub(super) fn purchase(
        &mut self,
        ci: usize,
        j: usize,
        itype: &'static InstanceType,
        od_hour: i64,
        ri_of_type: &mut Vec<(usize, usize)>,
    ) -> Purchase {
        let c = &self.model.clusters[ci];
        let (region, account) = (c.region, c.account);
        let acct = self.model.accounts[account].id.clone();
        let purchase = match (ci, j % 5) {
            (0, _) if j == 2 => Purchase::Mixed(0),
            (0, 0 | 1) => {
                let t = INSTANCE_TYPES
                    .iter()
                    .position(|t| t.name == itype.name)
                    .unwrap_or(0);
                let ri = if let Some((_, r)) = ri_of_type.iter().find(|(tt, _)| *tt == t) {
                    *r
                } else {
                    let arn = format!(
                        "arn:aws:ec2:{}:{acct}:reserved-instances/{}",
                        region.code,
                        self.rng.uuid()
                    );
                    // Partial upfront, 1 year: 62% of on-demand in all.
                    let upfront_hour = od_hour * 31 / 100;
                    let recurring_hour = od_hour * 31 / 100;
                    self.model.ris.push(Ri {
                        arn,
                        usage_type: format!("{}HeavyUsage:{}", region.box_prefix, itype.name),
                        account,
                        count: 1,
                        upfront_hour,
                        recurring_hour,
                        upfront_total: upfront_hour * 8760,
                    });
                    ri_of_type.push((t, self.model.ris.len() - 1));
                    self.model.ris.len() - 1
                };
                self.model.ris[ri].count += 1;
                Purchase::Reserved(ri)
            }
            (0, 2 | 3) | (1, 0 | 2 | 4) => Purchase::SavingsPlan(0),
            _ => Purchase::OnDemand,
        };
        match purchase {
            Purchase::SavingsPlan(_) => self.sp_commit_hour += od_hour * 7173 / 10000,
            Purchase::Mixed(_) => self.sp_commit_hour += od_hour * 6 / 10 * 7173 / 10000,
            _ => {}
        }
        purchase
    }

    /// The savings plan, committed to 115% of the covered nodes' discounted hours.
    pub(super) fn add_savings_plan(&mut self) {
        let sp_arn = std::mem::take(&mut self.sp_arn);
        self.model.sps.push(Sp {
            arn: sp_arn,
            account: 1,
            commit_hour: self.sp_commit_hour * 115 / 100 / 1000 * 1000,
        });
    }
}

impl Emitter<'_, '_> {
    /// Each savings plan's recurring fee for a slot, with what the slot's covered usage used.
    pub(super) fn savings_plan_fees(
        &mut self,
        day: u32,
        start: i64,
        end: i64,
        hours: i64,
        sp_used: &[i64],
    ) -> io::Result<()> {
        let m = self.m;
        for (i, sp) in m.sps.iter().enumerate() {
            let total = sp.commit_hour * hours;
            let used = sp_used[i];
            let mut r = self.base(day, start, end, &m.accounts[sp.account].id);
            r.line_item_type = "SavingsPlanRecurringFee";
            r.product_code = "ComputeSavingsPlans";
            r.usage_type = "ComputeSP:1yrNoUpfront";
            r.operation = "";
            r.usage_amount = Some(hours * NANO);
            r.rate = Some(sp.commit_hour);
            r.unblended = total;
            r.net_unblended = self.net(total);
            r.description = "1 year No Upfront Compute Savings Plan";
            r.sp = SavingsPlan {
                arn: &sp.arn,
                total_commitment: Some(total),
                used_commitment: Some(used),
                ..SavingsPlan::default()
            };
            r.resource_id = &sp.arn;
            r.metrics = [total, total - used, total - used, 0];
            self.emit(&r)?;
        }
        Ok(())
    }

    /// The reserved instances' fees for a period (from its first day in the window to its end),
    /// and their purchase when the window starts the period.
    pub(super) fn ri_fees(&mut self, period: &Period, start: i64, end: i64) -> io::Result<()> {
        let m = self.m;
        let day = period.first_day;
        let hours = i64::from(period.end_day - period.first_day) * 24;
        for ri in &m.ris {
            let used: i64 = (period.first_day..period.end_day)
                .map(|d| {
                    m.nodes
                        .iter()
                        .enumerate()
                        .filter(|(n, node)| {
                            matches!(node.purchase, Purchase::Reserved(r) if m.ris[r].arn == ri.arn)
                                && m.node_present(self.vseed, *n, d)
                        })
                        .count() as i64
                        * 24
                })
                .sum();
            let units = ri.count * hours;
            let unused = units - used;
            let unblended = ri.recurring_hour * units;
            let uu = ri.upfront_hour * unused;
            let ur = ri.recurring_hour * unused;
            let mut r = self.base(day, start, end, &m.accounts[ri.account].id);
            r.line_item_type = "RIFee";
            r.product_code = "AmazonEC2";
            r.usage_type = &ri.usage_type;
            r.operation = "RunInstances";
            r.usage_amount = Some(units * NANO);
            r.rate = Some(ri.recurring_hour);
            r.unblended = unblended;
            r.net_unblended = self.net(unblended);
            r.description = "Sales Tax not included; reserved instance recurring fee";
            r.millis = true;
            r.ri = Reservation {
                arn: &ri.arn,
                unused_amortized_upfront: Some(uu),
                net_unused_amortized_upfront: self.net(uu),
                unused_recurring: Some(ur),
                net_unused_recurring: self.net(ur),
                amortized_upfront: Some(ri.upfront_hour * units),
                ..Reservation::default()
            };
            let net = if m.with_net {
                discounted(uu) + discounted(ur)
            } else {
                uu + ur
            };
            r.metrics = [unblended, uu + ur, net, 0];
            self.emit(&r)?;
            if period.first_day == 0 {
                let mut r = self.base(day, start, end, &m.accounts[ri.account].id);
                r.line_item_type = "Fee";
                r.product_code = "AmazonEC2";
                r.usage_type = &ri.usage_type;
                r.operation = "RunInstances";
                r.usage_amount = Some(ri.count * NANO);
                r.unblended = ri.upfront_total * ri.count;
                r.net_unblended = self.net(r.unblended);
                r.description =
                    "Sign up charge for subscription: reserved instances, partial upfront";
                r.ri = Reservation {
                    arn: &ri.arn,
                    ..Reservation::default()
                };
                r.metrics = [r.unblended, 0, 0, 0];
                self.emit(&r)?;
            }
        }
        Ok(())
    }
}
