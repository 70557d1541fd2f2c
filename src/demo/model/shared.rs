//! Costs no cluster owns: each account's shared untagged services (`CloudWatch`, KMS, NAT
//! gateway, Route 53) and the bill's fees of a period: tax per account and a credit on the
//! payer.

use std::io;

use super::catalog::REGIONS;
use super::emit::Emitter;
use super::{Draft, s};
use crate::demo::rng::Rng;
use crate::demo::row::NANO;

/// Shared untagged services of one account.
#[derive(Debug)]
pub(super) struct Shared {
    account: usize,
    cloudwatch: usize,
    kms: usize,
    kms_key: String,
    nat: usize,
    nat_id: String,
    route53: usize,
    zone: String,
    tax: usize,
}

impl Draft<'_> {
    /// Shared services and tax per account.
    pub(super) fn add_shared_services(&mut self) {
        for account in 0..self.model.accounts.len() {
            let region = &REGIONS[0];
            let acct = self.model.accounts[account].id.clone();
            let cloudwatch = self.catalog.product(
                "AmazonCloudWatch",
                "Metric",
                "AmazonCloudWatch",
                Some(region),
                "Metrics",
                None,
                &[],
            );
            let kms = self.catalog.product(
                "AWS Key Management Service",
                "Encryption Key",
                "awskms",
                Some(region),
                "Requests",
                None,
                &[],
            );
            let nat = self.catalog.product(
                "Amazon Elastic Compute Cloud",
                "NAT Gateway",
                "AmazonEC2",
                Some(region),
                "GB",
                None,
                &[],
            );
            let route53 = self.catalog.product(
                "Amazon Route 53",
                "DNS Zone",
                "AmazonRoute53",
                None,
                "HostedZone",
                None,
                &[("locationType", s(""))],
            );
            let tax = self.catalog.product("", "", "", None, "", None, &[]);
            let kms_key = format!("arn:aws:kms:{}:{acct}:key/{}", region.code, self.rng.uuid());
            let nat_id = format!(
                "arn:aws:ec2:{}:{acct}:natgateway/nat-0{}",
                region.code,
                self.rng.hex(16)
            );
            let zone = format!(
                "arn:aws:route53:::hostedzone/Z{}",
                self.rng.alnum(12).to_uppercase()
            );
            self.model.shared.push(Shared {
                account,
                cloudwatch,
                kms,
                kms_key,
                nat,
                nat_id,
                route53,
                zone,
                tax,
            });
        }
    }

    /// The product of the credit row.
    pub(super) fn add_credit(&mut self) {
        self.model.credit_product = self.catalog.product("", "", "", None, "", None, &[]);
    }
}

impl Emitter<'_, '_> {
    /// Each account's `CloudWatch` metrics, KMS requests and NAT gateway bytes in a slot.
    pub(super) fn shared_usage(
        &mut self,
        day: u32,
        start: i64,
        end: i64,
        hours: i64,
        rng: &mut Rng,
    ) -> io::Result<()> {
        let m = self.m;
        for sh in &m.shared {
            let acct = &m.accounts[sh.account].id;
            // CloudWatch metrics.
            let metrics_n = rng.between(40_000_000_000, 90_000_000_000) * hours / 720;
            let cost = metrics_n * 300_000_000 / NANO;
            let mut r = self.base(day, start, end, acct);
            r.line_item_type = "Usage";
            r.product_code = "AmazonCloudWatch";
            r.usage_type = "CW:MetricMonitorUsage";
            r.operation = "MetricStorage";
            r.usage_amount = Some(metrics_n);
            r.rate = Some(300_000_000);
            r.unblended = cost;
            r.net_unblended = self.net(cost);
            r.on_demand = Some(cost);
            r.on_demand_rate = Some(300_000_000);
            r.term = "OnDemand";
            r.product = Some(&m.products[sh.cloudwatch]);
            r.description = "$0.30 per metric-month for the first 10,000 metrics";
            r.metrics = [cost, cost, r.net_unblended.unwrap_or(cost), cost];
            self.emit(&r)?;
            // KMS requests: tiny amounts, written in scientific notation.
            let requests = rng.between(1, 40);
            let cost = requests * 3_000 / 2 * 2 + 5;
            let mut r = self.base(day, start, end, acct);
            r.line_item_type = "Usage";
            r.product_code = "awskms";
            r.usage_type = "us-east-1-KMS-Requests";
            r.operation = "GenerateDataKey";
            r.resource_id = &sh.kms_key;
            r.usage_amount = Some(requests * NANO);
            r.rate = Some(3_000);
            r.unblended = cost;
            r.sci = true;
            r.net_unblended = self.net(cost);
            r.on_demand = Some(cost);
            r.on_demand_rate = Some(3_000);
            r.term = "OnDemand";
            r.product = Some(&m.products[sh.kms]);
            r.description = "$0.03 per 10,000 requests";
            r.metrics = [cost, cost, r.net_unblended.unwrap_or(cost), cost];
            self.emit(&r)?;
            // NAT gateway bytes.
            let gb = rng.between(1_000_000_000, 60_000_000_000) * hours / 24;
            let cost = gb / 1000 * 45;
            let mut r = self.base(day, start, end, acct);
            r.line_item_type = "Usage";
            r.product_code = "AmazonEC2";
            r.usage_type = "NatGateway-Bytes";
            r.operation = "NatGateway";
            r.az = "us-east-1a";
            r.resource_id = &sh.nat_id;
            r.usage_amount = Some(gb);
            r.rate = Some(45_000_000);
            r.unblended = cost;
            r.net_unblended = self.net(cost);
            r.on_demand = Some(cost);
            r.on_demand_rate = Some(45_000_000);
            r.term = "OnDemand";
            r.product = Some(&m.products[sh.nat]);
            r.description = "$0.045 per GB Data Processed by NAT Gateways";
            r.millis = true;
            r.metrics = [cost, cost, r.net_unblended.unwrap_or(cost), cost];
            self.emit(&r)?;
        }
        Ok(())
    }

    /// Each account's hosted zone, a day each.
    pub(super) fn hosted_zones(&mut self, day: u32, start: i64, end: i64) -> io::Result<()> {
        let m = self.m;
        for sh in &m.shared {
            let cost = 16_129_032;
            let mut r = self.base(day, start, end, &m.accounts[sh.account].id);
            r.line_item_type = "Usage";
            r.product_code = "AmazonRoute53";
            r.usage_type = "HostedZone";
            r.operation = "";
            r.resource_id = &sh.zone;
            r.usage_amount = Some(32_258_064);
            r.rate = Some(500_000_000);
            r.unblended = cost;
            r.net_unblended = self.net(cost);
            r.on_demand = Some(cost);
            r.on_demand_rate = Some(500_000_000);
            r.term = "OnDemand";
            r.product = Some(&m.products[sh.route53]);
            r.description = "$0.50 per Hosted Zone for the first 25 Hosted Zones";
            r.metrics = [cost, cost, r.net_unblended.unwrap_or(cost), cost];
            self.emit(&r)?;
        }
        Ok(())
    }

    /// A period's tax per account and the payer's credit, on its first day in the window.
    pub(super) fn tax_and_credit(&mut self, day: u32, start: i64, end: i64) -> io::Result<()> {
        let m = self.m;
        let mut rng = Rng::derive(&[self.vseed, 7, u64::from(day)]);
        for sh in &m.shared {
            let cost = rng.between(20_000_000_000, 180_000_000_000) / 10_000 * 10_000;
            let mut r = self.base(day, start, end, &m.accounts[sh.account].id);
            r.line_item_type = "Tax";
            r.product_code = "AmazonEC2";
            r.usage_amount = Some(NANO);
            r.unblended = cost;
            r.net_unblended = self.net(cost).map(|_| cost);
            r.product = Some(&m.products[sh.tax]);
            r.description = "Tax for product code AmazonEC2";
            r.millis = true;
            r.metrics = [cost, cost, cost, 0];
            self.emit(&r)?;
        }
        let credit = -rng.between(100_000_000_000, 400_000_000_000) / 1000 * 1000;
        let mut r = self.base(day, start, end, &m.accounts[0].id);
        r.line_item_type = "Credit";
        r.product_code = "AmazonEC2";
        r.usage_type = "";
        r.usage_amount = Some(0);
        r.unblended = credit;
        r.net_unblended = self.net(credit).map(|_| credit);
        r.product = Some(&m.products[m.credit_product]);
        r.description = "AWS Activate Credits";
        r.millis = true;
        r.metrics = [credit, credit, credit, 0];
        self.emit(&r)
    }
}
