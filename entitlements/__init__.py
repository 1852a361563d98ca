"""The knowledge base of care leavers' entitlements.

Content files (one YAML file per entitlement), and the code that validates,
loads, stores and searches them. This package depends on nothing else of ours,
so another council or project can take it as it is.
"""
