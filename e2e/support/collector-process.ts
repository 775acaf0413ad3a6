/** The collector as a child process: the one harness of collector/src/testing, as e2e tests use it. */
export { REPO_ROOT, TEST_DASH_KEY, startCollector } from '../../collector/src/testing/collector-process.js';
export type { CollectorProcess } from '../../collector/src/testing/collector-process.js';
