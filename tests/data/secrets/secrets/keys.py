KEY = (
    "-----BEGIN EC PRIVATE‖ KEY-----\n"
    "⟦TzrXDGGWABKZHA1EQcVCU7uzGEZxEUc7‖67U/bl3VNxxOfe3zsu5GMdLh/pErvviW\n⟧"
    "⟦s1CE2RVRMbyctxjR2gAhkZmcxgG4EJD/‖ZSlvQIrRkpxtwtyTFJhDuIneg6zzTBMB\n⟧"
    "⟦z41SETNyaH8VsswUDJ‖S0dXMXHnVi7LsoFg==\n⟧"
    "-----END EC PRIVATE‖ KEY-----\n"
)
print(len(KEY))
