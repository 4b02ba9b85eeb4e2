# A settings catalog or endpoint security policy by its name. Graph calls the name `name`;
# `display_name` is the same value, so either may be given.
data "intune_configuration_policy" "bitlocker" {
  name = "Windows - BitLocker"
}

output "bitlocker_policy" {
  value = {
    id              = data.intune_configuration_policy.bitlocker.id
    platforms       = data.intune_configuration_policy.bitlocker.platforms
    technologies    = data.intune_configuration_policy.bitlocker.technologies
    template_family = data.intune_configuration_policy.bitlocker.template_family
  }
}
