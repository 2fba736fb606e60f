// The proof of work of the public thanks page (ALTCHA's v1 challenge format, issue 18).
//
// The server sends {algorithm: "SHA-256", challenge, maxNumber, salt, signature}; this finds the
// number n with SHA-256(salt + n) == challenge and resolves to the base64 JSON payload the server
// verifies (or "" when it cannot). SHA-256 is computed here rather than with crypto.subtle, which
// browsers only offer on https or localhost: a counter tablet on the office's plain-http address
// must work too. The search runs in slices of a few milliseconds so that the page (and a screen
// reader's "verifying" announcement) stays responsive.
(function () {
  "use strict";
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  var W = new Uint32Array(64);
  var H = new Uint32Array(8);

  function rotr(x, n) {
    return (x >>> n) | (x << (32 - n));
  }

  // SHA-256 of an ASCII string (salts and numbers are ASCII), as 8 words in H.
  function sha256(text) {
    var len = text.length;
    var blocks = ((len + 8) >> 6) + 1;
    var words = new Uint32Array(blocks * 16);
    for (var i = 0; i < len; i++) words[i >> 2] |= (text.charCodeAt(i) & 0xff) << (24 - (i & 3) * 8);
    words[len >> 2] |= 0x80 << (24 - (len & 3) * 8);
    words[blocks * 16 - 1] = len * 8;
    H[0] = 0x6a09e667; H[1] = 0xbb67ae85; H[2] = 0x3c6ef372; H[3] = 0xa54ff53a;
    H[4] = 0x510e527f; H[5] = 0x9b05688c; H[6] = 0x1f83d9ab; H[7] = 0x5be0cd19;
    for (var b = 0; b < blocks; b++) {
      for (var t = 0; t < 16; t++) W[t] = words[b * 16 + t];
      for (t = 16; t < 64; t++) {
        var w15 = W[t - 15], w2 = W[t - 2];
        var s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
        var s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
      }
      var a = H[0], c1 = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (t = 0; t < 64; t++) {
        var S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        var ch = (e & f) ^ (~e & g);
        var t1 = (h + S1 + ch + K[t] + W[t]) | 0;
        var S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        var maj = (a & c1) ^ (a & c) ^ (c1 & c);
        var t2 = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = c1; c1 = a; a = (t1 + t2) | 0;
      }
      H[0] += a; H[1] += c1; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
    }
    return H;
  }

  function target(hex) {
    var out = new Uint32Array(8);
    for (var i = 0; i < 8; i++) out[i] = parseInt(hex.substr(i * 8, 8), 16) >>> 0;
    return out;
  }

  function solve(challenge) {
    return new Promise(function (resolve) {
      try {
        if (!challenge || challenge.algorithm !== "SHA-256" || !/^[0-9a-f]{64}$/.test(challenge.challenge)) {
          resolve("");
          return;
        }
        var want = target(challenge.challenge);
        var salt = String(challenge.salt);
        var max = Math.min(Number(challenge.maxNumber) || 0, 10000000);
        var n = 0;
        var step = function () {
          var until = Date.now() + 40;
          while (n <= max) {
            var h = sha256(salt + n);
            if (h[0] === want[0] && h[1] === want[1] && h[2] === want[2] && h[3] === want[3] &&
                h[4] === want[4] && h[5] === want[5] && h[6] === want[6] && h[7] === want[7]) {
              resolve(window.btoa(JSON.stringify({
                algorithm: challenge.algorithm, challenge: challenge.challenge, number: n,
                salt: challenge.salt, signature: challenge.signature,
              })));
              return;
            }
            n++;
            if ((n & 1023) === 0 && Date.now() > until) {
              setTimeout(step, 0);
              return;
            }
          }
          resolve("");
        };
        step();
      } catch (e) {
        resolve("");
      }
    });
  }

  window.engagementPow = { solve: solve, sha256: sha256 };
})();
