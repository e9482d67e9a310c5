export interface Config {
  slipway?: {
    /**
     * Set when the portal reads Slipway's local sandbox instead of real
     * vendor services; the Deploy tab then says so plainly.
     * @visibility frontend
     */
    sandbox?: boolean;
  };
}
