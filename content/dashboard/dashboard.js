// Spoorzoeker dashboard: a few lines of progressive enhancement; every page works without them.
(function () {
  "use strict";
  // Inside Telegram a Mini App gets its signed initData in the URL fragment: send it to sign in.
  var telegram = document.getElementById("telegram-sign-in");
  if (telegram) {
    var hash = new URLSearchParams(window.location.hash.slice(1));
    var initData = hash.get("tgWebAppData");
    if (initData) {
      telegram.elements["init_data"].value = initData;
      telegram.submit();
    }
  }
  // A sign-in link's page: post the token at once (the button is there for when scripts are off).
  var link = document.getElementById("link-sign-in");
  if (link) {
    link.submit();
  }
})();
