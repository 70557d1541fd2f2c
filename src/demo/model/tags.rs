//! The tag columns the generator writes (`resourceTags/*`): their keys, and the `T_*` indices
//! the model's entities carry instead of key strings.

/// The tag key of the alternative Kubernetes tagging scheme for clusters (not in the default
/// mapping: its rows are unallocated unless a profile maps it).
pub const ALT_CLUSTER_KEY: &str = "k8s-cluster";
/// The alternative scheme's namespace key.
pub const ALT_NAMESPACE_KEY: &str = "k8s-namespace";

/// Tag columns, as written after `resourceTags/`. Indices are the `T_*` constants.
pub(super) const TAG_KEYS: [&str; 21] = [
    "aws:eks:cluster-name",
    "aws:eks:namespace",
    "aws:eks:node",
    "aws:eks:workload-type",
    "aws:eks:workload-name",
    "aws:eks:deployment",
    "user:eks:cluster-name",
    "user:app",
    "user:team",
    "user:env",
    "user:environment",
    "user:Environment",
    "user:kubernetes_cluster",
    "user:kubernetes_namespace",
    "user:kubernetes_deployment",
    "user:kubernetes_pod",
    "user:kubernetes_container",
    "user:k8s-cluster",
    "user:k8s-namespace",
    "user:Name",
    "aws:createdBy",
];
pub(super) const T_EKS_CLUSTER: u8 = 0;
pub(super) const T_EKS_NAMESPACE: u8 = 1;
pub(super) const T_EKS_NODE: u8 = 2;
pub(super) const T_EKS_WORKLOAD_TYPE: u8 = 3;
pub(super) const T_EKS_WORKLOAD_NAME: u8 = 4;
pub(super) const T_EKS_DEPLOYMENT: u8 = 5;
pub(super) const T_EKS_CLUSTER_USER: u8 = 6;
pub(super) const T_APP: u8 = 7;
pub(super) const T_TEAM: u8 = 8;
pub(super) const T_ENV: [u8; 3] = [9, 10, 11];
pub(super) const T_K_CLUSTER: u8 = 12;
pub(super) const T_K_NAMESPACE: u8 = 13;
pub(super) const T_K_DEPLOYMENT: u8 = 14;
pub(super) const T_K_POD: u8 = 15;
pub(super) const T_K_CONTAINER: u8 = 16;
pub(super) const T_ALT_CLUSTER: u8 = 17;
pub(super) const T_ALT_NAMESPACE: u8 = 18;
pub(super) const T_NAME: u8 = 19;
pub(super) const T_CREATED_BY: u8 = 20;
