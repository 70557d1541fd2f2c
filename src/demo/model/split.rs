//! EKS split cost allocation: a node's slot cost divided over its pods by AWS's rule
//! ([`split_node`]), the split rows that carry those shares, and the cost-less split rows with
//! no parent that readers must drop.

use std::io;

use super::cluster::NodeBases;
use super::emit::Emitter;
use super::tags::T_EKS_NODE;
use crate::demo::row::{Alloc, NANO, Split};

/// Splits `base` nano-dollars of a node over its pods by AWS's 9:1 vCPU:GiB weights (CUR.md
/// §3.3): per pod `[cpu split, cpu unused, memory split, memory unused]`, summing to `base`.
fn split_node(base: i64, vcpu: i64, mem_gib: i64, pods: &[(i64, i64)]) -> Vec<[i64; 4]> {
    let w = i128::from(9 * vcpu + mem_gib);
    let cpu_pool = (i128::from(base) * i128::from(9 * vcpu) / w) as i64;
    let mem_pool = base - cpu_pool;
    let cap_mc = i128::from(vcpu * 1000);
    let cap_mib = i128::from(mem_gib * 1024);
    let mut out: Vec<[i64; 4]> = pods
        .iter()
        .map(|&(mc, mib)| {
            [
                (i128::from(cpu_pool) * i128::from(mc) / cap_mc) as i64,
                0,
                (i128::from(mem_pool) * i128::from(mib) / cap_mib) as i64,
                0,
            ]
        })
        .collect();
    for (pool, split_ix, weight) in [(cpu_pool, 0, 0), (mem_pool, 2, 1)] {
        let used: i64 = out.iter().map(|p| p[split_ix]).sum();
        let unused = pool - used;
        let total_w: i128 = pods
            .iter()
            .map(|p| i128::from(if weight == 0 { p.0 } else { p.1 }))
            .sum::<i128>()
            .max(1);
        let mut given = 0;
        for (i, p) in pods.iter().enumerate() {
            let wt = i128::from(if weight == 0 { p.0 } else { p.1 });
            let share = (i128::from(unused) * wt / total_w) as i64;
            out[i][split_ix + 1] = share;
            given += share;
        }
        if let Some(first) = out.first_mut() {
            first[split_ix + 1] += unused - given;
        }
    }
    out
}

impl Emitter<'_, '_> {
    /// The split rows of node `n`'s `pods` in a slot (a vCPU and a memory row each), dividing
    /// what the node's usage rows cost (`bases`).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn pod_splits(
        &mut self,
        day: u32,
        start: i64,
        end: i64,
        hours: i64,
        n: usize,
        pods: &[usize],
        bases: NodeBases,
    ) -> io::Result<()> {
        let m = self.m;
        let node = &m.nodes[n];
        let cluster = &m.clusters[node.cluster];
        let account = &m.accounts[cluster.account].id;
        let it = node.itype;
        let req: Vec<(i64, i64)> = pods
            .iter()
            .map(|&p| (m.pods[p].cpu_mc, m.pods[p].mem_mib))
            .collect();
        let amort = split_node(bases.amortized, it.vcpu, it.mem_gib, &req);
        let ods = split_node(bases.on_demand, it.vcpu, it.mem_gib, &req);
        let nets = split_node(bases.net, it.vcpu, it.mem_gib, &req);
        let [cpu_p, mem_p] = m.eks_pod_products[node.cluster];
        for (i, &p) in pods.iter().enumerate() {
            let pod = &m.pods[p];
            let mut ptags: Vec<(u8, &str)> =
                pod.tags.iter().map(|(k, v)| (*k, v.as_str())).collect();
            ptags.push((T_EKS_NODE, &node.name));
            ptags.sort_by_key(|t| t.0);
            for cpu in [true, false] {
                let (k, usage, cap, product, ut) = if cpu {
                    (
                        0,
                        pod.cpu_mc * 1_000_000 * hours,
                        it.vcpu * 1000,
                        cpu_p,
                        "EKS-EC2-vCPU-Hours",
                    )
                } else {
                    (
                        2,
                        pod.mem_mib * NANO / 1024 * hours,
                        it.mem_gib * 1024,
                        mem_p,
                        "EKS-EC2-GB-Hours",
                    )
                };
                let own = if cpu { pod.cpu_mc } else { pod.mem_mib };
                let usage_type = format!("{}{ut}", cluster.region.prefix);
                let mut r = self.base(day, start, end, account);
                r.line_item_type = "Usage";
                r.product_code = "AmazonEKS";
                r.usage_type = &usage_type;
                r.operation = "EKSPod-EC2";
                r.az = node.az;
                r.resource_id = &pod.arn;
                r.usage_amount = Some(usage);
                r.unblended = 0;
                r.net_unblended = self.net(0);
                r.product = Some(&m.products[product]);
                r.description = if cpu {
                    "EKS split cost: vCPU allocated to the pod"
                } else {
                    "EKS split cost: memory allocated to the pod"
                };
                r.split = Some(Split {
                    parent: &node.id,
                    reserved_usage: usage,
                    split_usage: usage,
                    ratio: m
                        .hourly
                        .then(|| (i128::from(own) * i128::from(NANO) / i128::from(cap)) as i64),
                    split_cost: amort[i][k],
                    unused_cost: amort[i][k + 1],
                    net_split_cost: nets[i][k],
                    net_unused_cost: nets[i][k + 1],
                    od_split_cost: ods[i][k],
                    od_unused_cost: ods[i][k + 1],
                });
                r.tags = &ptags;
                r.alloc = Alloc::PodSplit {
                    node: n as u32,
                    pod: p as u32,
                    cpu,
                };
                r.metrics = [0, 0, 0, 0];
                self.emit(&r)?;
            }
        }
        Ok(())
    }

    /// Split rows with an empty parent and no cost (readers drop them): one a day, for the first
    /// pod scheduled.
    pub(super) fn dropped_splits(
        &mut self,
        day: u32,
        start: i64,
        end: i64,
        on: &[Vec<usize>],
    ) -> io::Result<()> {
        let m = self.m;
        if m.with_resource_ids
            && let Some((n, list)) = on.iter().enumerate().find(|(_, l)| !l.is_empty())
        {
            {
                let pod = &m.pods[list[0]];
                let c = &m.clusters[m.nodes[n].cluster];
                let usage_type = format!("{}EKS-EC2-vCPU-Hours", c.region.prefix);
                let tags: Vec<(u8, &str)> =
                    pod.tags.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let mut r = self.base(day, start, end, &m.accounts[c.account].id);
                r.line_item_type = "Usage";
                r.product_code = "AmazonEKS";
                r.usage_type = &usage_type;
                r.operation = "EKSPod-EC2";
                r.resource_id = &pod.arn;
                r.usage_amount = Some(0);
                r.unblended = 0;
                r.net_unblended = self.net(0);
                r.split = Some(Split::default());
                r.tags = &tags;
                r.alloc = Alloc::Dropped;
                self.emit(&r)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_sums_to_the_base_and_weights_cpu_nine_to_one() {
        let parts = split_node(
            1_000_000_000,
            4,
            16,
            &[(1000, 2048), (500, 4096), (250, 1024)],
        );
        let total: i64 = parts.iter().flatten().sum();
        assert_eq!(total, 1_000_000_000);
        // AWS's worked example: $1/h, 4 vCPU/16 GB → $0.17/vCPU-h... (9:1 weights).
        let cpu_pool = 1_000_000_000_i64 * 36 / 52;
        assert_eq!(parts[0][0], cpu_pool / 4);
        assert!(parts.iter().all(|p| p.iter().all(|v| *v >= 0)));
    }
}
