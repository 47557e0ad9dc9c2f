/**
 * The internal clients through which one service asks another for something. A service never imports another
 * service's folder; start-cloud wires each client to its service once all have been created.
 */
export interface IdentityClient {
  /** The id of a project by name (domain Default unless given), or undefined. */
  projectIdByName(name: string, domainId?: string): Promise<string | undefined>
  projectExists(id: string): Promise<boolean>
}

export interface ServiceClients {
  identity: IdentityClient
}
