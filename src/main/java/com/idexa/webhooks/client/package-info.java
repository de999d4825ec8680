/** API clients and their keys: the admin API that issues and revokes keys, and how a request's key is checked. */
package com.idexa.webhooks.client;
