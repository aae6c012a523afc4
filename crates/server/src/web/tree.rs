//! The unit tree as the pages need it: rows in tree order with their depth, ancestries to decide which forms
//! to show (the use cases check permissions again), and indented options for unit selects.

use crate::app::views::UnitView;
use std::collections::HashMap;
use vanthu_domain::access::Actor;
use vanthu_domain::text::fold_ascii;

pub struct Tree {
    pub units: Vec<UnitView>,
    index: HashMap<i64, usize>,
    children: HashMap<Option<i64>, Vec<usize>>,
}

/// A unit in tree order.
pub struct TreeRow {
    /// Indentation level, at most 8.
    pub depth: usize,
    pub unit: UnitView,
}

/// An entry of a unit select.
pub struct UnitOption {
    pub id: i64,
    pub label: String,
}

impl Tree {
    pub fn new(units: Vec<UnitView>) -> Tree {
        let index: HashMap<i64, usize> = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        let mut children: HashMap<Option<i64>, Vec<usize>> = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            // A unit whose parent is not listed (inactive parent hidden) is shown at the top.
            let parent = u.parent_id.filter(|p| index.contains_key(p));
            children.entry(parent).or_default().push(i);
        }
        // Siblings in the order of the alphabet as people read it, not by bytes ("Tổ" before "Tuyên").
        let keys: Vec<String> = units
            .iter()
            .map(|u| fold_ascii(&u.name).to_lowercase())
            .collect();
        for v in children.values_mut() {
            v.sort_by(|a, b| {
                keys[*a]
                    .cmp(&keys[*b])
                    .then(units[*a].name.cmp(&units[*b].name))
            });
        }
        Tree {
            units,
            index,
            children,
        }
    }

    pub fn get(&self, id: i64) -> Option<&UnitView> {
        self.index.get(&id).map(|&i| &self.units[i])
    }

    /// The unit itself, then its ancestors up to the root.
    pub fn ancestry(&self, id: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut cur = Some(id);
        while let Some(c) = cur {
            if out.contains(&c) || out.len() > 64 {
                break;
            }
            out.push(c);
            cur = self.get(c).and_then(|u| u.parent_id);
        }
        out
    }

    pub fn in_scope(&self, actor: &Actor, id: i64) -> bool {
        actor.in_scope(&self.ancestry(id))
    }

    /// Ids of the units in tree order with their depth.
    fn walk(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::with_capacity(self.units.len());
        let mut stack: Vec<(usize, usize)> = self
            .children
            .get(&None)
            .map(|v| v.iter().rev().map(|&i| (i, 0)).collect())
            .unwrap_or_default();
        while let Some((i, d)) = stack.pop() {
            out.push((i, d));
            if let Some(ch) = self.children.get(&Some(self.units[i].id)) {
                stack.extend(ch.iter().rev().map(|&c| (c, d + 1)));
            }
        }
        out
    }

    pub fn rows(&self) -> Vec<TreeRow> {
        self.walk()
            .into_iter()
            .map(|(i, d)| TreeRow {
                depth: d.min(8),
                unit: self.units[i].clone(),
            })
            .collect()
    }

    pub fn children_of(&self, id: i64) -> Vec<UnitView> {
        self.children
            .get(&Some(id))
            .map(|v| v.iter().map(|&i| self.units[i].clone()).collect())
            .unwrap_or_default()
    }

    /// Active units the actor administers, indented; without `exclude` and its subtree.
    pub fn admin_options(&self, actor: &Actor, exclude: Option<i64>) -> Vec<UnitOption> {
        self.walk()
            .into_iter()
            .map(|(i, d)| (&self.units[i], d))
            .filter(|(u, _)| u.active && self.in_scope(actor, u.id))
            .filter(|(u, _)| exclude.is_none_or(|x| !self.ancestry(u.id).contains(&x)))
            .map(|(u, d)| option(u, d))
            .collect()
    }

    /// Every unit, indented (for filters).
    pub fn all_options(&self) -> Vec<UnitOption> {
        self.walk()
            .into_iter()
            .map(|(i, d)| option(&self.units[i], d))
            .collect()
    }
}

fn option(u: &UnitView, depth: usize) -> UnitOption {
    UnitOption {
        id: u.id,
        label: format!("{}{}", "\u{2003}".repeat(depth.min(8)), u.name),
    }
}
