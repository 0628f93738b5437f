/** The suite's partner endpoints listen on loopback: the only private network tests may reach. */
export const TEST_ALLOWED_NETWORKS = ['127.0.0.0/8', '::1/128'];
