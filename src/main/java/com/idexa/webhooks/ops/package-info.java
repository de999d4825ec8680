/** What operators and orchestrators read about a running instance: health that answers at once. */
package com.idexa.webhooks.ops;
