/* zid-core.h — libzid-core: the portal's domain, rules, store, CA and audit */
#pragma once

#include "zid-backend.h"
#include "zid-clock.h"
#include "zid-error.h"
#include "zid-portal.h"
#include "zid-trust-store.h"
#include "zid-types.h"
#include "zid-user.h"
#include "zid-watch.h"
