# A settings catalog policy (BitLocker) for every corporate-owned device, except the kiosks,
# and for the co-managed devices of a Configuration Manager collection.
resource "intune_configuration_policy_assignments" "bitlocker" {
  configuration_policy_id = "d4c3b2a1-6f5e-4d7c-8b9a-0e1f2a3b4c5d"

  assignments = [
    {
      target      = "all_devices"
      filter_id   = "0f1e2d3c-4b5a-4697-8877-665544332211"
      filter_type = "include"
    },
    { target = "exclusion_group", group_id = "c0ffee00-1234-4abc-9def-0123456789ab" },
    { target = "configuration_manager_collection", collection_id = "MEM00012" },
  ]
}
