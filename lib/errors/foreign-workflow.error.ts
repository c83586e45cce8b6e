import { CeleriacError } from './celeriac.error.js';

/** A workflow touches a queue in a foreign wire mode (Celery's), where Celeriac's workflows cannot run. */
export class ForeignWorkflowError extends CeleriacError {
  constructor(task: string, queue: string, protocol: string) {
    super(
      'FOREIGN_WORKFLOW',
      `task "${task}": queue "${queue}" speaks ${protocol === 'celery' ? "Celery's" : protocol} protocol ` +
        `(protocol: '${protocol}'); workflows (chain, group, chord, link, linkError) do not cross between ` +
        'Celery and Celeriac: send the task on its own',
    );
  }
}
