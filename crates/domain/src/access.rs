//! Access by capability.
//!
//! Code that changes the organisation needs a grant value, and grants are only made here, by checking the
//! acting person's roles against the unit's ancestry. Store functions that write take a grant rather than a
//! bare id, so a write without a permission check does not compile.

use crate::org::{Clearance, Role};

/// One membership of the acting person, as the access rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipView {
    pub unit_id: i64,
    pub roles: Vec<Role>,
}

/// The signed-in person on whose behalf a request runs.
#[derive(Debug, Clone)]
pub struct Actor {
    pub person_id: i64,
    pub username: String,
    pub full_name: String,
    pub clearance: Clearance,
    /// System administrators manage the whole installation; the flag belongs to the person, not a unit.
    pub system_admin: bool,
    /// The password was set by an administrator: until it is changed, only changing it is allowed.
    pub must_change_password: bool,
    pub memberships: Vec<MembershipView>,
}

/// Proof that the actor may administer one unit (and so its subtree).
#[derive(Debug)]
pub struct AdminGrant {
    unit_id: i64,
}

impl AdminGrant {
    pub fn unit_id(&self) -> i64 {
        self.unit_id
    }
}

/// Proof that the actor is a clerk (văn thư) of one unit: they take and cancel numbers in its registers.
#[derive(Debug)]
pub struct ClerkGrant {
    unit_id: i64,
}

impl ClerkGrant {
    pub fn unit_id(&self) -> i64 {
        self.unit_id
    }
}

/// Proof that the actor is a system administrator.
#[derive(Debug)]
pub struct SystemGrant(());

/// What the access rules need to know about a person to be administered.
#[derive(Debug, Clone)]
pub struct TargetPerson {
    pub person_id: i64,
    pub system_admin: bool,
    pub clearance: Clearance,
    pub memberships: Vec<TargetMembership>,
}

#[derive(Debug, Clone)]
pub struct TargetMembership {
    /// The unit first, then its ancestors.
    pub ancestry: Vec<i64>,
    /// Whether the person administers this unit.
    pub unit_admin: bool,
}

/// Proof that the actor may administer one person account: every unit the person belongs to is in the
/// actor's scope (a person in no unit is managed by system administrators only).
#[derive(Debug)]
pub struct PersonGrant {
    person_id: i64,
}

impl PersonGrant {
    pub fn person_id(&self) -> i64 {
        self.person_id
    }
}

impl Actor {
    pub fn is_system_admin(&self) -> bool {
        self.system_admin
    }

    pub fn system_grant(&self) -> Option<SystemGrant> {
        self.is_system_admin().then_some(SystemGrant(()))
    }

    /// Units where the actor holds the unit administrator role: the roots of their administrative scope.
    pub fn admin_roots(&self) -> Vec<i64> {
        self.memberships
            .iter()
            .filter(|m| m.roles.contains(&Role::UnitAdmin))
            .map(|m| m.unit_id)
            .collect()
    }

    /// Whether the actor administers anything at all (to show the administration pages).
    pub fn is_any_admin(&self) -> bool {
        self.is_system_admin() || !self.admin_roots().is_empty()
    }

    /// `ancestry` lists the unit itself first and then its ancestors up to the root, as stored now.
    pub fn in_scope(&self, ancestry: &[i64]) -> bool {
        if self.is_system_admin() {
            return true;
        }
        let roots = self.admin_roots();
        ancestry.iter().any(|u| roots.contains(u))
    }

    pub fn admin_grant(&self, ancestry: &[i64]) -> Option<AdminGrant> {
        let unit_id = *ancestry.first()?;
        self.in_scope(ancestry).then_some(AdminGrant { unit_id })
    }

    /// A grant to administer another person's account (edit, reset the password, stop, change memberships).
    ///
    /// A unit administrator gets it only when every unit the person belongs to is in their scope, the person
    /// is not a system administrator, has no clearance above the actor's own, and does not administer one of
    /// the units the actor administers (no administrator takes over a peer or a superior). A person in no
    /// unit is managed by system administrators only.
    pub fn person_grant(&self, target: &TargetPerson) -> Option<PersonGrant> {
        let grant = PersonGrant {
            person_id: target.person_id,
        };
        if self.is_system_admin() {
            return Some(grant);
        }
        if target.system_admin || target.clearance > self.clearance || target.memberships.is_empty()
        {
            return None;
        }
        let roots = self.admin_roots();
        for m in &target.memberships {
            if !self.in_scope(&m.ancestry) {
                return None;
            }
            if m.unit_admin && m.ancestry.first().is_some_and(|u| roots.contains(u)) {
                return None;
            }
        }
        Some(grant)
    }

    /// A grant to number documents in a unit's registers: the actor is a clerk of that very unit, and for a
    /// register of secret documents is cleared to read them.
    pub fn clerk_grant(&self, unit_id: i64, secret: bool) -> Option<ClerkGrant> {
        let clerk = self
            .memberships
            .iter()
            .any(|m| m.unit_id == unit_id && m.roles.contains(&Role::Clerk));
        let cleared = !secret || self.clearance >= Clearance(Some(crate::Secrecy::Mat));
        (clerk && cleared).then_some(ClerkGrant { unit_id })
    }

    /// Whether the actor belongs to the unit (any role).
    pub fn member_of(&self, unit_id: i64) -> bool {
        self.memberships.iter().any(|m| m.unit_id == unit_id)
    }

    /// A grant over any account, for system administrators only (command line, demo).
    pub fn system_person_grant(&self, person_id: i64) -> Option<PersonGrant> {
        self.is_system_admin().then_some(PersonGrant { person_id })
    }

    /// Like [`Actor::admin_grant`], but for changing the unit itself (its name, codes, place, state): a unit
    /// administrator may change the units below their own, not the unit they were made administrator of.
    pub fn admin_grant_for_change(&self, ancestry: &[i64]) -> Option<AdminGrant> {
        let unit_id = *ancestry.first()?;
        let ok = self.is_system_admin() || ancestry.len() > 1 && self.in_scope(&ancestry[1..]);
        ok.then_some(AdminGrant { unit_id })
    }

    /// A grant over the actor's own account (to change their own password).
    pub fn own_grant(&self) -> PersonGrant {
        PersonGrant {
            person_id: self.person_id,
        }
    }

    /// The roles the actor holds anywhere, without duplicates.
    pub fn all_roles(&self) -> Vec<Role> {
        let mut v: Vec<Role> = self
            .memberships
            .iter()
            .flat_map(|m| m.roles.iter().copied())
            .collect();
        if self.system_admin {
            v.push(Role::SystemAdmin);
        }
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(memberships: Vec<(i64, Vec<Role>)>) -> Actor {
        Actor {
            person_id: 1,
            username: "a".into(),
            full_name: "A".into(),
            clearance: Clearance::NONE,
            system_admin: false,
            must_change_password: false,
            memberships: memberships
                .into_iter()
                .map(|(unit_id, roles)| MembershipView { unit_id, roles })
                .collect(),
        }
    }

    #[test]
    fn unit_admin_manages_only_own_subtree() {
        // Tree: 1 -> 2 -> 3, and 1 -> 4.
        let a = actor(vec![(2, vec![Role::UnitAdmin]), (4, vec![Role::Clerk])]);
        assert!(a.admin_grant(&[2, 1]).is_some());
        assert!(a.admin_grant(&[3, 2, 1]).is_some());
        assert!(a.admin_grant(&[1]).is_none());
        assert!(a.admin_grant(&[4, 1]).is_none());
        assert!(a.system_grant().is_none());
        let target = |units: Vec<(Vec<i64>, bool)>| TargetPerson {
            person_id: 9,
            system_admin: false,
            clearance: Clearance::NONE,
            memberships: units
                .into_iter()
                .map(|(ancestry, unit_admin)| TargetMembership {
                    ancestry,
                    unit_admin,
                })
                .collect(),
        };
        assert!(
            a.person_grant(&target(vec![(vec![3, 2, 1], false)]))
                .is_some()
        );
        assert!(
            a.person_grant(&target(vec![(vec![3, 2, 1], false), (vec![4, 1], false)]))
                .is_none()
        );
        assert!(a.person_grant(&target(vec![])).is_none());
        // Administrators below are managed; a peer administrator of the same unit is not.
        assert!(
            a.person_grant(&target(vec![(vec![3, 2, 1], true)]))
                .is_some()
        );
        assert!(a.person_grant(&target(vec![(vec![2, 1], true)])).is_none());
        // Nor a system administrator, nor someone cleared above the actor.
        let mut sys = target(vec![(vec![3, 2, 1], false)]);
        sys.system_admin = true;
        assert!(a.person_grant(&sys).is_none());
        let mut secret = target(vec![(vec![3, 2, 1], false)]);
        secret.clearance = Clearance(Some(crate::Secrecy::Mat));
        assert!(a.person_grant(&secret).is_none());
        // The unit an administrator was made administrator of is changed by those above.
        assert!(a.admin_grant_for_change(&[2, 1]).is_none());
        assert!(a.admin_grant_for_change(&[3, 2, 1]).is_some());
    }

    #[test]
    fn system_admin_manages_everything() {
        let mut a = actor(vec![(4, vec![Role::Clerk])]);
        a.system_admin = true;
        assert!(a.admin_grant(&[1]).is_some());
        let nobody = TargetPerson {
            person_id: 9,
            system_admin: true,
            clearance: Clearance::NONE,
            memberships: vec![],
        };
        assert!(a.person_grant(&nobody).is_some());
        assert!(a.admin_grant_for_change(&[1]).is_some());
        assert!(a.system_grant().is_some());
    }

    #[test]
    fn clerks_number_only_in_their_unit_and_secret_needs_clearance() {
        let mut a = actor(vec![(3, vec![Role::Clerk]), (4, vec![Role::Specialist])]);
        assert!(a.clerk_grant(3, false).is_some());
        assert!(a.clerk_grant(4, false).is_none());
        assert!(a.clerk_grant(2, false).is_none());
        assert!(a.clerk_grant(3, true).is_none());
        a.clearance = Clearance(Some(crate::Secrecy::Mat));
        assert!(a.clerk_grant(3, true).is_some());
    }

    #[test]
    fn specialist_manages_nothing() {
        let a = actor(vec![(1, vec![Role::Specialist, Role::Leader])]);
        assert!(a.admin_grant(&[1]).is_none());
        assert!(!a.is_any_admin());
    }
}
