// The SAML HTTP-POST binding: the page's form carries the signed Response to the supplier's service provider
// and sends itself (a file of its own: the Content-Security-Policy allows no inline script).
document.getElementById('saml-post').submit();
