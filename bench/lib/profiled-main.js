// Runs the service's main (BENCH_SERVICE_MAIN) and exits cleanly on SIGTERM, so that node's --cpu-prof writes the profile.
'use strict';
process.on('SIGTERM', () => process.exit(0));
require(process.env.BENCH_SERVICE_MAIN);
