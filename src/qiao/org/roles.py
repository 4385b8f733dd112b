"""The default roles' codes (org.permissions.DEFAULT_ROLES) grouped by how far up the line they
stand: each app's `actions.py` names the roles that hold an action by default with these, or
with a role's own code ("specialist", "agent", "qa_inspector", "brand_manager", "admin")."""

HEADS = ("director", "dept_manager")
SUPERVISORS_AND_UP = (*HEADS, "regional_manager", "supervisor")
ACCOUNT_MANAGERS_AND_UP = (*SUPERVISORS_AND_UP, "account_manager")
