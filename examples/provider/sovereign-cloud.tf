# A US Government (GCC High) tenant: the environment picks the sign-in host,
# the Graph host and the token scope.
provider "intune" {
  alias       = "gcc_high"
  environment = "usgovernment"
}
