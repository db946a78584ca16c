/** What a notebook imports to work with MedVQA and caption data: the example records and the loaders' front door. */
package org.medvlm.data;
