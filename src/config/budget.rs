//! Budgets: `[profiles.X.budgets]` entries such as `"cluster/prod-use1" = 12000` — a monthly
//! amount in the bill's currency for one cluster, namespace or environment.

use crate::cur::money::Money;
use crate::facts::Dim;

/// What a budget covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetScope {
    Cluster,
    Namespace,
    Env,
}

impl BudgetScope {
    /// The facts dimension a budget's name is matched against.
    pub fn dim(self) -> Dim {
        match self {
            BudgetScope::Cluster => Dim::Cluster,
            BudgetScope::Namespace => Dim::Namespace,
            BudgetScope::Env => Dim::Env,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BudgetScope::Cluster => "cluster",
            BudgetScope::Namespace => "namespace",
            BudgetScope::Env => "env",
        }
    }
}

/// One monthly budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub scope: BudgetScope,
    /// The cluster, namespace or environment name.
    pub name: String,
    pub monthly: Money,
}

impl Budget {
    /// `cluster/prod-use1` → (cluster, `prod-use1`).
    pub fn parse_key(key: &str) -> Result<(BudgetScope, String), String> {
        let (scope, name) = key.split_once('/').ok_or_else(|| {
            "a budget key is SCOPE/NAME: cluster/NAME, namespace/NAME or env/NAME".to_string()
        })?;
        let scope = match scope {
            "cluster" => BudgetScope::Cluster,
            "namespace" => BudgetScope::Namespace,
            "env" => BudgetScope::Env,
            other => {
                return Err(format!(
                    "unknown budget scope `{other}`; expected cluster, namespace or env"
                ));
            }
        };
        if name.trim().is_empty() {
            return Err("a budget needs a name after the `/`".into());
        }
        Ok((scope, name.to_string()))
    }

    /// `cluster/prod-use1`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.scope.name(), self.name)
    }
}
