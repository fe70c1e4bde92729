/**
 * nock patches Node's http/fetch globals, which outlive a test file's module registry when jest
 * runs several files in one worker. Restoring after each file stops a torn-down file's nock from
 * intercepting the next file's requests.
 */
import nock from "nock";

afterAll(() => {
  nock.cleanAll();
  nock.restore();
});
