//! Which nodes run on a day and which pods they run: hashed from (seed, entity, day), so any
//! day can be scheduled, and re-emitted, on its own.

use super::Model;
use crate::demo::rng::{Rng, hash};

impl Model {
    /// Whether node `node` runs on `day` (`always` nodes do; others 94% of days).
    pub(super) fn node_present(&self, vseed: u64, node: usize, day: u32) -> bool {
        self.nodes[node].always || hash(&[vseed, 1, node as u64, u64::from(day)]) % 100 >= 6
    }

    /// Whether a running node is left without pods on `day`.
    fn node_empty(&self, vseed: u64, node: usize, day: u32) -> bool {
        !self.nodes[node].always && hash(&[vseed, 2, node as u64, u64::from(day)]) % 100 < 7
    }

    /// Which pods run on which node on a day (indices into `pods`), per node.
    pub(super) fn schedule(&self, vseed: u64, day: u32) -> (Vec<bool>, Vec<Vec<usize>>) {
        let present: Vec<bool> = (0..self.nodes.len())
            .map(|n| self.node_present(vseed, n, day))
            .collect();
        let open: Vec<bool> = (0..self.nodes.len())
            .map(|n| present[n] && !self.node_empty(vseed, n, day))
            .collect();
        let mut on: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        let mut free: Vec<(i64, i64)> = self
            .nodes
            .iter()
            .map(|n| (n.itype.vcpu * 1000, n.itype.mem_gib * 1024))
            .collect();
        let mut rng = Rng::derive(&[vseed, 3, u64::from(day)]);
        let mut waiting: Vec<usize> = Vec::new();
        for (p, pod) in self.pods.iter().enumerate() {
            if let Some(n) = pod.daemon_node {
                if open[n] {
                    on[n].push(p);
                    free[n].0 -= pod.cpu_mc;
                    free[n].1 -= pod.mem_mib;
                }
            } else if hash(&[vseed, 4, p as u64, u64::from(day)]) % 100 < pod.presence {
                waiting.push(p);
            }
        }
        rng.shuffle(&mut waiting);
        let mut by_cluster: Vec<Vec<usize>> = vec![Vec::new(); self.clusters.len()];
        for (n, node) in self.nodes.iter().enumerate() {
            if open[n] {
                by_cluster[node.cluster].push(n);
            }
        }
        for p in waiting {
            let pod = &self.pods[p];
            let nodes = &by_cluster[pod.cluster];
            if nodes.is_empty() {
                continue;
            }
            let offset = rng.below(nodes.len() as u64) as usize;
            for i in 0..nodes.len() {
                let n = nodes[(offset + i) % nodes.len()];
                if free[n].0 >= pod.cpu_mc && free[n].1 >= pod.mem_mib {
                    free[n].0 -= pod.cpu_mc;
                    free[n].1 -= pod.mem_mib;
                    on[n].push(p);
                    break;
                }
            }
        }
        for list in &mut on {
            list.sort_unstable();
        }
        (present, on)
    }
}
