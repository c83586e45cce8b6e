import { describeSendMany } from '../../support/send-many.cases.js';

describeSendMany('the embedded broker', () => ({}));
